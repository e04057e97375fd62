using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>mktarball</c>.</summary>
internal static class MkTarballCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        var mv = RequireModule(args);
        engine.RequireAdded(mv);
        var targets = args.All ? engine.BuiltTargets(mv) : Targets(args, engine);
        await engine.MakeTarballAsync(mv, targets, args.Archive, args.SourceOnly, args.BinariesOnly, ct).ConfigureAwait(false);
        return 0;
    }
}
