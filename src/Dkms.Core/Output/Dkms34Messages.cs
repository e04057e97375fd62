using Dkms.Core.Actions;

namespace Dkms.Core.Output;

/// <summary>
/// Upstream dkms 3.4.3's words where they differ from 3.2.2's: the missing-headers advice, BUILD_EXCLUSIVE for a
/// package of several modules, "non-existent", "accommodate", and the deferred BUILD_DEPENDS lines.
/// </summary>
public sealed class Dkms34Messages : Dkms32Messages
{
    private Dkms34Messages()
    {
    }

    public static new Dkms34Messages Instance { get; } = new();

    public override string Version => "dkms-3.4.3";

    public override string[] HeadersMissing(string kernel, string installTree) =>
    [
        $"Your kernel headers for kernel {kernel} cannot be found at {installTree}/{kernel}/build or {installTree}/{kernel}/source.",
        $"Please install your distribution's kernel headers package matching {kernel}, or use the --kernelsourcedir option to tell DKMS where it's located.",
    ];

    public override string[] BuildExcluded(ModuleRef mv, string builtDirectory, string sourceLink) =>
    [
        $"The {builtDirectory}/dkms.conf",
        $"for module {Slashed(mv)} includes BUILD_EXCLUSIVE directives",
        "which do not match this kernel/arch/config for any modules.",
        "This indicates that it should not be built.",
    ];

    public override string[] KernelDirectoryMissing(string kernelDirectory) =>
        [$"The directory {kernelDirectory} doesn't exist.", "You cannot install a module onto a non-existent kernel."];

    public override void BinariesOnlyTarball(DkmsOutput o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Line();
        o.Line("Creating tarball structure to specifically accommodate binaries.");
    }
}
