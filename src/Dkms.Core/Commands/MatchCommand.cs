namespace Dkms.Core.Commands;

/// <summary><c>match --templatekernel T -k K [module]</c>.</summary>
public sealed record MatchCommand(string TemplateKernel, TargetSpec? Target, string? Module, CommandOptions Options) : DkmsCommand(Options)
{
    public override DkmsAction Kind => DkmsAction.Match;
}
