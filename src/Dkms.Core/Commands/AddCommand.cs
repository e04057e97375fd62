namespace Dkms.Core.Commands;

/// <summary><c>add</c>: m/v from the source tree, a source directory (or its dkms.conf), or a tarball.</summary>
public sealed record AddCommand(ModuleArg? Module, string? SourceDir, string? Archive, CommandOptions Options) : DkmsCommand(Options)
{
    public override DkmsAction Kind => DkmsAction.Add;
}
