namespace Dkms.Core.Commands;

/// <summary><c>uninstall</c>, <c>unbuild</c> or <c>remove</c> (<paramref name="Removal"/>) of m/v, on named kernels or <c>--all</c>
/// (every kernel/arch the module is built for when it runs).</summary>
public sealed record ModuleRemovalCommand(DkmsAction Removal, ModuleArg? Module, IReadOnlyList<TargetSpec> Targets, bool All,
    CommandOptions Options) : DkmsCommand(Options)
{
    public override DkmsAction Kind => Removal;
}
