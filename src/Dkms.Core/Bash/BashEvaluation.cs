namespace Dkms.Core.Bash;

/// <summary>What sourcing a set of bash files produced.</summary>
/// <param name="Variables">The requested variables that were set, by name.</param>
/// <param name="Stderr">What the files printed on stderr (dkms lets it through).</param>
/// <param name="ExitCode">The evaluator's exit status (non-zero when a file called exit).</param>
public sealed record BashEvaluation(IReadOnlyDictionary<string, BashValue> Variables, string Stderr, int ExitCode)
{
    /// <summary>The variable, or an empty value when it was not set.</summary>
    public BashValue Get(string name) => Variables.TryGetValue(name, out var v) ? v : new BashValue();
}
