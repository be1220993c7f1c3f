using System.Runtime.InteropServices;
using Google.Protobuf;
using SharpGan.Autograd;
using SharpGan.Export.Onnx;
using SharpGan.Gan;
using SharpGan.Models;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Export;

/// <summary>
/// Writes a trained generator or discriminator as an ONNX model (IR version 8, opset 17, standard domain only), so it
/// runs in ONNX Runtime, browsers (onnxruntime-web) or any other ONNX consumer without SharpGAN. The batch dimension is
/// dynamic ("batch"). A generator maps input <c>z</c> (batch, noise_dim) to output <c>images</c> (batch, C, H, W) in the
/// run's pixel range; a discriminator maps <c>images</c> (batch, C, H, W) to <c>logit</c> and <c>probability</c> = D(x),
/// both (batch, 1). Inference mode throughout: dropout is the identity (masks are scaled at training time), BatchNorm
/// uses its running statistics. Initializers carry the module's own state names ("net.0.weight", …).
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the files use.</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version written (the one that introduced opset 17).</summary>
    public const int IrVersion = 8;

    /// <summary>
    /// The generator of <paramref name="models"/> (or <paramref name="generator"/>, e.g. the averaged one) as ONNX bytes.
    /// A conditional G has a second input <c>label</c> (int64 [batch], the class asked for), one-hot encoded in the graph.
    /// </summary>
    public static byte[] Generator(GanModels models, Module generator, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new GraphWriter("sharpgan_generator");
        string z = graph.Input("z", ["batch", models.NoiseDim]);
        if (models.Classes > 0) z = graph.Node("Concat", [z, graph.OneHot(graph.Input("label", ["batch"], TensorProto.Types.DataType.Int64), models.Classes)], null, GraphWriter.Int("axis", 1));
        string flat = graph.Module(generator, z, prefix: "");
        graph.Output(graph.Reshape(flat, [0, models.SampleChannels, models.SampleHeight, models.SampleWidth], "images"),
            "images", ["batch", models.SampleChannels, models.SampleHeight, models.SampleWidth]);
        return graph.ToModel("G(z): noise z to images in the run's pixel range", metadata);
    }

    /// <summary>The discriminator of <paramref name="models"/> as ONNX bytes (a conditional D also takes <c>label</c>, int64 [batch]).</summary>
    public static byte[] Discriminator(GanModels models, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new GraphWriter("sharpgan_discriminator");
        string images = graph.Input("images", ["batch", models.SampleChannels, models.SampleHeight, models.SampleWidth]);
        string x = graph.Reshape(images, [0, models.SampleDim]);
        if (models.Classes > 0) x = graph.Node("Concat", [x, graph.OneHot(graph.Input("label", ["batch"], TensorProto.Types.DataType.Int64), models.Classes)], null, GraphWriter.Int("axis", 1));
        string logit = graph.Module(models.Discriminator, x, prefix: "");
        graph.Output(graph.Rename(logit, "logit"), "logit", ["batch", 1]);
        graph.Output(graph.Node("Sigmoid", [logit], "probability"), "probability", ["batch", 1]);
        return graph.ToModel("D(x): images to the probability that they are data", metadata);
    }

    /// <summary>One graph under construction: nodes in topological order, initializers, inputs and outputs.</summary>
    private sealed class GraphWriter(string name)
    {
        private readonly GraphProto _graph = new() { Name = name };
        private int _next;

        private string Fresh(string hint) => $"{hint}_{_next++}";

        public string Input(string valueName, object[] dims, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
        {
            _graph.Input.Add(ValueInfo(valueName, dims, type));
            return valueName;
        }

        /// <summary>One-hot rows (batch, <paramref name="classes"/>) of float from int64 class indices (batch).</summary>
        public string OneHot(string indices, int classes) =>
            Node("OneHot", [indices, Constant(Fresh("depth"), [classes]), FloatConstant(Fresh("off_on"), [0f, 1f])], null, Int("axis", -1));

        public void Output(string valueName, string declared, object[] dims)
        {
            if (valueName != declared) throw new InvalidOperationException($"output {declared} was not produced");
            _graph.Output.Add(ValueInfo(declared, dims));
        }

        public string Node(string opType, IEnumerable<string> inputs, string? output = null, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = opType, Name = Fresh(opType) };
            node.Input.AddRange(inputs);
            node.Output.Add(output ??= Fresh(opType.ToLowerInvariant()));
            node.Attribute.AddRange(attributes);
            _graph.Node.Add(node);
            return output;
        }

        public string Rename(string value, string newName) => Node("Identity", [value], newName);

        /// <summary>Reshape with a constant target shape (0 copies the input's dimension, −1 is inferred).</summary>
        public string Reshape(string value, long[] shape, string? output = null) =>
            Node("Reshape", [value, Constant(Fresh("shape"), shape)], output);

        private string FloatConstant(string valueName, float[] values) => Initializer(valueName, values, [values.Length]);

        private string Constant(string valueName, long[] values)
        {
            var tensor = new TensorProto { Name = valueName, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
            tensor.Dims.Add(values.Length);
            _graph.Initializer.Add(tensor);
            return valueName;
        }

        private string Initializer(string valueName, ReadOnlySpan<float> values, IEnumerable<int> dims)
        {
            var tensor = new TensorProto { Name = valueName, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
            tensor.Dims.AddRange(dims.Select(d => (long)d));
            _graph.Initializer.Add(tensor);
            return valueName;
        }

        private string Weight(Tensor t, string prefix) => Initializer(prefix + t.Name, t.Data, t.Shape);

        // A layer's weight under its own name, with the values an eval-mode forward pass uses (spectrally normalised when on).
        private string LayerWeight(Tensor weight, Tensor inference, string prefix) => Initializer(prefix + weight.Name, inference.Data, weight.Shape);

        /// <summary>Appends a module's inference-mode computation on <paramref name="x"/>; returns its output's name.</summary>
        public string Module(Module module, string x, string prefix) => module switch
        {
            Sequential s => s.Layers.Select((layer, i) => (layer, i)).Aggregate(x, (v, l) => Module(l.layer, v, $"{prefix}{l.i}.")),
            MlpGenerator g => Module(g.Network, x, prefix + "net."),
            MaxoutDiscriminator d => Module(d.Network, x, prefix + "net."),
            Linear l => Activation(Node("Gemm", Bias([x, LayerWeight(l.Weight, l.InferenceWeight, prefix)], l.Bias, prefix), null, Int("transB", 1)), l.Activation, l.Slope),
            // (batch, units·pieces) unit-major → (batch, units, pieces) → max over pieces.
            Maxout m => Node("ReduceMax", [Reshape(Node("Gemm", [x, LayerWeight(m.Weight, m.InferenceWeight, prefix), Weight(m.Bias, prefix)], null, Int("transB", 1)), [0, m.Units, m.Pieces])], null,
                Ints("axes", 2), Int("keepdims", 0)),
            Dropout => x,
            GaussianNoise => x, // training-time noise: the identity at inference
            // Weight normalisation is a training-time reparametrisation: the exported Gemm holds w = g ⊙ v / ‖v‖ itself.
            WeightNormLinear l => Activation(Node("Gemm", [x, Initializer(prefix + "weight", Ops.WeightNorm(l.V, l.G).Data, l.V.Shape), Weight(l.Bias, prefix)], null, Int("transB", 1)), l.Activation, 0.2f),
            Conv2d c => Node("Conv", Bias([x, LayerWeight(c.Weight, c.InferenceWeight, prefix)], c.Bias, prefix), null, ConvAttributes(c.Weight, c.Stride, c.Padding)),
            ConvTranspose2d c => Node("ConvTranspose", Bias([x, Weight(c.Weight, prefix)], c.Bias, prefix), null, ConvAttributes(c.Weight, c.Stride, c.Padding)),
            BatchNorm b => Node("BatchNormalization", [x, Affine(b.Gamma, 1f, b, prefix, "weight"), Affine(b.Beta, 0f, b, prefix, "bias"), Weight(b.RunningMean, prefix), Weight(b.RunningVar, prefix)],
                null, Float("epsilon", b.Epsilon)),
            ActivationLayer a => Activation(x, a.Activation, a.Slope),
            Reshape r => Reshape(x, [0, .. r.ExampleShape.Select(d => (long)d)]),
            LabelPlanes p => LabelPlanes(x, p),
            _ => throw new NotSupportedException($"ONNX export has no rule for {module.GetType().Name}"),
        };

        // (batch, C·S·S + K) → (batch, C + K, S, S): the image columns reshaped, the label columns broadcast over S×S.
        private string LabelPlanes(string x, LabelPlanes p)
        {
            long pixels = (long)p.Channels * p.Side * p.Side;
            string image = Reshape(Slice(x, pixels, 0), [0, p.Channels, p.Side, p.Side]);
            string label = Reshape(Slice(x, pixels + p.Classes, pixels), [0, p.Classes, 1, 1]);
            string planes = Node("Expand", [label, Constant(Fresh("planes"), [1, 1, p.Side, p.Side])]);
            return Node("Concat", [image, planes], null, GraphWriter.Int("axis", 1));
        }

        // Columns [start, end) of a (batch, columns) value.
        private string Slice(string x, long end, long start) =>
            Node("Slice", [x, Constant(Fresh("starts"), [start]), Constant(Fresh("ends"), [end]), Constant(Fresh("axes"), [1])]);

        private List<string> Bias(List<string> inputs, Tensor? bias, string prefix)
        {
            if (bias is not null) inputs.Add(Weight(bias, prefix));
            return inputs;
        }

        // BatchNorm without an affine transform: ONNX still wants scale and bias, so γ = 1 and β = 0 are written out.
        private string Affine(Tensor? parameter, float identity, BatchNorm b, string prefix, string name) =>
            parameter is not null ? Weight(parameter, prefix) : Initializer(prefix + name, Enumerable.Repeat(identity, b.RunningMean.Length).ToArray(), [b.RunningMean.Length]);

        private static AttributeProto[] ConvAttributes(Tensor weight, int stride, int padding) =>
            [Ints("kernel_shape", weight.Shape[2], weight.Shape[3]), Ints("strides", stride, stride), Ints("pads", padding, padding, padding, padding)];

        private string Activation(string x, Activation activation, float slope) => activation switch
        {
            Tensors.Kernels.Activation.Identity => x,
            Tensors.Kernels.Activation.ReLU => Node("Relu", [x]),
            Tensors.Kernels.Activation.LeakyReLU => Node("LeakyRelu", [x], null, Float("alpha", slope)),
            Tensors.Kernels.Activation.Sigmoid => Node("Sigmoid", [x]),
            Tensors.Kernels.Activation.Tanh => Node("Tanh", [x]),
            Tensors.Kernels.Activation.Softplus => Node("Softplus", [x]),
            _ => throw new NotSupportedException($"ONNX export has no rule for activation {activation}"),
        };

        public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        private static AttributeProto Ints(string name, params long[] values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(values);
            return attribute;
        }

        private static ValueInfoProto ValueInfo(string valueName, object[] dims, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims)
                shape.Dim.Add(d is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
            return new ValueInfoProto
            {
                Name = valueName,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
            };
        }

        public byte[] ToModel(string doc, IReadOnlyDictionary<string, string>? metadata)
        {
            _graph.DocString = doc;
            var model = new ModelProto
            {
                IrVersion = IrVersion,
                ProducerName = "SharpGAN",
                ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
                Graph = _graph,
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            return model.ToByteArray();
        }
    }
}
