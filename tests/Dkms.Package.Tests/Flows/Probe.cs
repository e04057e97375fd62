namespace Dkms.Package.Tests.Flows;

/// <summary>A fact read inside the container after a step: a name and the shell command whose stdout is the fact.</summary>
internal sealed record Probe(string Name, string Command);
