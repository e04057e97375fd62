namespace Dkms.Core.Actions;

/// <summary>The per-request options of dkms's command line.</summary>
public sealed record ActionOptions
{
    public bool Force { get; init; }

    public bool ForceVersionOverride { get; init; }

    public bool NoDepmod { get; init; }

    /// <summary>Neither depmod nor its line on uninstall: the caller runs it once for the kernel afterwards (kernel_prerm).</summary>
    internal bool DeferDepmod { get; init; }

    /// <summary><c>--kernelsourcedir</c>: the headers for every kernel of the request.</summary>
    public string? KernelSourceDir { get; init; }

    /// <summary><c>--config</c>: the kernel configuration file.</summary>
    public string? KernelConfig { get; init; }

    /// <summary><c>-c</c>: the dkms.conf to read instead of the module's own.</summary>
    public string? ConfFile { get; init; }

    /// <summary><c>--directive NAME=value</c> entries.</summary>
    public IReadOnlyList<string> Directives { get; init; } = [];

    /// <summary><c>--all</c>: every kernel/arch the module is built for.</summary>
    public bool AllKernels { get; init; }

    public static ActionOptions Default { get; } = new();
}
