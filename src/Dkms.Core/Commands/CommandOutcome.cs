namespace Dkms.Core.Commands;

/// <summary>How a command ended: dkms's exit code, and for <c>mktarball</c> the archive it wrote.</summary>
public readonly record struct CommandOutcome(int ExitCode, string? Archive = null);
