namespace SharpGan.Training;

/// <summary>An invalid configuration; the message names the field ("training.batch_size must be positive, got 0").</summary>
public sealed class ConfigException(string message) : Exception(message);
