using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>uninstall</c>, <c>unbuild</c> and <c>remove</c> (<c>-k …</c> or <c>--all</c>).</summary>
internal static class RemovalCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        var mv = RequireModule(args);
        engine.RequireAdded(mv);
        if (action == "uninstall")
        {
            RequireRoot();
        }
        else
        {
            RequireWritableTree(engine);
        }

        var targets = args.All ? engine.BuiltTargets(mv) : Targets(args, engine);
        var code = action switch
        {
            "uninstall" => await engine.UninstallAsync(mv, targets, options, ct).ConfigureAwait(false),
            "unbuild" => await engine.UnbuildAsync(mv, targets, options, ct).ConfigureAwait(false),
            _ => await engine.RemoveAsync(mv, targets, options, ct).ConfigureAwait(false),
        };
        if (code == 0)
        {
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return code;
    }
}
