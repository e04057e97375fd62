using Dkms.Core.Framework;

namespace Dkms.Core.Conf;

/// <summary>The variables dkms defines before it sources a dkms.conf.</summary>
public sealed record ConfContext
{
    public required DkmsSettings Settings { get; init; }

    /// <summary>The target kernel (<c>kernelver</c>).</summary>
    public required string Kernel { get; init; }

    public required string Arch { get; init; }

    /// <summary>The kernel's headers (<c>kernel_source_dir</c>).</summary>
    public required string KernelSourceDir { get; init; }

    /// <summary>The kernel configuration file (<c>kernel_config</c>); may not exist.</summary>
    public required string KernelConfig { get; init; }

    /// <summary>The module name known before reading (empty when adding from a path).</summary>
    public string Module { get; init; } = string.Empty;

    public string ModuleVersion { get; init; } = string.Empty;

    /// <summary><c>--directive NAME=value</c> entries, applied after the files.</summary>
    public IReadOnlyList<string> Directives { get; init; } = [];

    public string RunningKernel { get; init; } = string.Empty;
}
