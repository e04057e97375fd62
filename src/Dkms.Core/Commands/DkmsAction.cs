namespace Dkms.Core.Commands;

/// <summary>The dkms commands that change the trees (<c>status</c> only reads and has no command).</summary>
public enum DkmsAction
{
    Add,
    Build,
    Install,
    Uninstall,
    Unbuild,
    Remove,
    Autoinstall,
    Match,
    MkTarball,
    LdTarball,
    GenerateMok,

    /// <summary><c>kernel_prerm</c> and <c>kernel_preinst</c> (<c>kernel_postinst</c> is <see cref="Autoinstall"/>).</summary>
    RemoveKernel,
}
