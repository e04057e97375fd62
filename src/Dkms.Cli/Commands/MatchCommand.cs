using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using Dkms.Core.Errors;
using Dkms.Core.Validation;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>match --templatekernel T -k K [module]</c>.</summary>
internal static class MatchCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        RequireRoot();
        if (string.IsNullOrEmpty(args.TemplateKernel))
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, "Invalid number of parameters passed.",
                "Usage: match --templatekernel=<kernel-version> -k <kernel-version>",
                "   or: match --templatekernel=<kernel-version> -k <kernel-version> <module>");
        }

        var target = Targets(args, engine)[0];
        var template = new KernelTarget(NameValidator.Require(args.TemplateKernel, "kernel version"), target.Arch);
        var module = string.IsNullOrEmpty(args.Module) ? null : NameValidator.Require(args.Module, "module name");
        return await engine.MatchAsync(template, target, module, options, ct).ConfigureAwait(false);
    }
}
