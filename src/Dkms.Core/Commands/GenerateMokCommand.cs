namespace Dkms.Core.Commands;

/// <summary><c>generate_mok</c>.</summary>
public sealed record GenerateMokCommand() : DkmsCommand(CommandOptions.Default)
{
    public override DkmsAction Kind => DkmsAction.GenerateMok;
}
