using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using Dkms.Core.Status;

namespace Dkms.Cli.Commands;

/// <summary><c>status</c>: dkms 3.0.10's lines, or <c>--json</c>.</summary>
internal static class StatusCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, DkmsArguments args, CancellationToken ct)
    {
        // As dkms's glob: a kernel without -a or k/a matches every arch.
        var kernels = args.Kernels.Count > 0 ? CommandBuilder.Targets(args).Select(t => t.ForStatus()).ToList() : null;
        var entries = await engine.StatusAsync(args.Module, args.Version, kernels, ct: ct).ConfigureAwait(false);
        if (args.Json)
        {
            engine.Output.Line(StatusJson.Write(entries));
            return 0;
        }

        engine.PrintStatus(entries);
        return 0;
    }
}
