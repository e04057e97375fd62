namespace Dkms.Core.Commands;

/// <summary><c>ldtarball</c>.</summary>
public sealed record LdTarballCommand(string Archive, CommandOptions Options) : DkmsCommand(Options)
{
    public override DkmsAction Kind => DkmsAction.LdTarball;
}
