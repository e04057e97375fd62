namespace Dkms.Core.Commands;

/// <summary><c>autoinstall</c> and <c>kernel_postinst</c> for one kernel (null: the running one).</summary>
public sealed record AutoinstallCommand(TargetSpec? Target, CommandOptions Options) : DkmsCommand(Options)
{
    public override DkmsAction Kind => DkmsAction.Autoinstall;
}
