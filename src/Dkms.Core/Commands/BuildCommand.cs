namespace Dkms.Core.Commands;

/// <summary><c>build</c>, or <c>install</c> when <paramref name="Install"/>; from m/v or a source directory.</summary>
public sealed record BuildCommand(ModuleArg? Module, string? SourceDir, IReadOnlyList<TargetSpec> Targets, bool Install,
    CommandOptions Options) : DkmsCommand(Options)
{
    public override DkmsAction Kind => Install ? DkmsAction.Install : DkmsAction.Build;
}
