using Dkms.Cli.CommandLine;
using Dkms.Cli.Verbs;
using Dkms.Core.Errors;
using Dkms.Core.Output;

namespace Dkms.Cli.Commands;

/// <summary>dkms's checks of a parsed command line (§2.3, §2.4), in dkms's order and with its exit codes.</summary>
internal static class GrammarChecks
{
    /// <summary>The verb the command line names, once it passed every check.</summary>
    public static Verb Check(DkmsArguments args, DkmsMessages messages)
    {
        if (args.Actions.Count > 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4, messages.MoreThanOneAction());
        }

        var verb = (args.Action is { } action ? Verbs.Verbs.Find(action) : null)
                   ?? throw new UsageException(2, messages.UnknownAction(string.Empty));
        if (args.BinariesOnly && args.SourceOnly)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 8, messages.BinariesAndSourceOnly());
        }

        if (args.Arches.Count > 1 && args.Arches.Count != args.Kernels.Count)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, messages.ArchesWithoutKernels());
        }

        if (args.All && args.Kernels.Count > 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 2, messages.KernelWithAll());
        }

        if (args.All && args.Arches.Count > 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 3, messages.ArchWithAll());
        }

        if (verb.Kernels == KernelArity.ExactlyOne && args.Kernels.Count != 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4, messages.ExactlyOneKernel(verb.Name));
        }

        if (!verb.AllowsAll && args.All)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 5, messages.AllNotSupported(verb.Name));
        }

        if (verb.Kernels != KernelArity.Any && args.Kernels.Count > 1)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 4, messages.OneKernelOnly(verb.Name));
        }

        return verb;
    }
}
