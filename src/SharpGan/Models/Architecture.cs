using System.Reflection;
using System.Text.Json.Serialization;

namespace SharpGan.Models;

/// <summary>The network pairs a config may name (model.architecture); the JSON names are the ones configs and messages use.</summary>
public enum Architecture
{
    /// <summary>The paper's MNIST networks: a ReLU/sigmoid MLP generator and a maxout discriminator with dropout.</summary>
    [JsonStringEnumMemberName("mlp-maxout")] MlpMaxout,
    /// <summary>PAPER §7's DCGAN for 28×28 images.</summary>
    [JsonStringEnumMemberName("dcgan28")] Dcgan28,
    /// <summary>The DCGAN for 32×32 images (CIFAR-10).</summary>
    [JsonStringEnumMemberName("dcgan32")] Dcgan32,
}

/// <summary>The architecture registry: names and DCGAN layouts.</summary>
public static class Architectures
{
    /// <summary>Every architecture, in declaration order.</summary>
    public static IReadOnlyList<Architecture> All { get; } = Enum.GetValues<Architecture>();

    /// <summary>The name configs and messages use ("mlp-maxout", "dcgan28", …): the member's JSON name.</summary>
    public static string Name(this Architecture architecture) =>
        typeof(Architecture).GetField(architecture.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "not an architecture");

    /// <summary>The DCGAN layout of a DCGAN architecture; null for the MLPs.</summary>
    public static DcganLayout? Dcgan(this Architecture architecture) => architecture switch
    {
        Architecture.Dcgan28 => new DcganLayout(28),
        Architecture.Dcgan32 => new DcganLayout(32),
        _ => null,
    };
}
