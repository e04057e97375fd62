namespace Dkms.Core.Commands;

/// <summary><c>mktarball</c> (it takes none of the per-request options).</summary>
public sealed record MkTarballCommand(ModuleArg? Module, IReadOnlyList<TargetSpec> Targets, bool All, string? Archive, bool SourceOnly,
    bool BinariesOnly) : DkmsCommand(CommandOptions.Default)
{
    public override DkmsAction Kind => DkmsAction.MkTarball;
}
