using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using Dkms.Core.Status;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>status</c>: dkms 3.0.10's lines, or <c>--json</c>.</summary>
internal static class StatusCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        var kernels = args.Kernels.Count > 0 ? Targets(args) : null;
        var entries = await engine.StatusAsync(args.Module, args.Version, kernels, ct: ct).ConfigureAwait(false);
        if (args.Json)
        {
            engine.Output.Line(StatusJson.Write(entries));
            return 0;
        }

        foreach (var e in entries)
        {
            engine.Output.Line(e.ToLine());
            if (e.State == ModuleState.Broken)
            {
                engine.Output.Error($"{e.Module}/{e.Version}: Missing the module source directory or the symbolic link pointing to it.",
                    "Manual intervention is required!");
            }
        }

        return 0;
    }
}
