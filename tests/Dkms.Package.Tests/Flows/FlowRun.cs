namespace Dkms.Package.Tests.Flows;

/// <summary>A finished flow: its steps in order, the values it chose (kernels), and the container's journal.</summary>
internal sealed record FlowRun(
    string Flow,
    string Provider,
    string Kernel,
    IReadOnlyList<StepOutcome> Steps,
    IReadOnlyDictionary<string, string> Context,
    string Journal,
    string LogDirectory)
{
    public StepOutcome Step(string name) =>
        Steps.FirstOrDefault(s => s.Step == name)
        ?? throw new KeyNotFoundException($"{Flow} [{Provider}] has no step '{name}'; it has: {string.Join(", ", Steps.Select(s => s.Step))}.");

    public string Value(string key) =>
        Context.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"{Flow} [{Provider}] recorded no '{key}'.");
}
