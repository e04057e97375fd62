namespace Dkms.Core.Sandbox;

/// <summary>
/// What one sandboxed step sees besides the read-only root: the directories it may write (the module's build
/// directory), the directories replaced by empty ones (the dkms tree, the daemon's state) and files replaced by an
/// empty one (a signing key kept elsewhere).
/// </summary>
public sealed record SandboxView
{
    public IReadOnlyList<string> Writable { get; init; } = [];

    /// <summary>Directories shown read-only even where the sandbox puts an empty directory (its private /tmp, /run).</summary>
    public IReadOnlyList<string> Visible { get; init; } = [];

    public IReadOnlyList<string> HiddenDirectories { get; init; } = [];

    public IReadOnlyList<string> HiddenFiles { get; init; } = [];
}
