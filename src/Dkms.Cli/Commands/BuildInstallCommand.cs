using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>build</c> and <c>install</c>, from m/v or a source directory.</summary>
internal static class BuildInstallCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        if (action == "install")
        {
            RequireRoot();
        }

        RequireWritableTree(engine);
        ModuleRef mv;
        if (args.SourcePath is not null)
        {
            RequireRoot();
            var (added, addCode) = await engine.AddSourceTreeAsync(args.SourcePath, options, existingIsFine: true, register: false, ct).ConfigureAwait(false);
            if (addCode != 0)
            {
                return addCode;
            }

            mv = added;
        }
        else
        {
            mv = RequireModule(args);
            engine.RequireNotBroken(mv);
        }

        var targets = Targets(args, engine);
        var code = action == "build"
            ? await engine.BuildAsync(mv, targets, options, ct).ConfigureAwait(false)
            : await engine.InstallAsync(mv, targets, options, ct).ConfigureAwait(false);
        if (code == 0 && action == "install")
        {
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return code;
    }
}
