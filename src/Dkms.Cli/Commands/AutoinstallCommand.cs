using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>autoinstall</c> and <c>kernel_postinst</c> for one kernel.</summary>
internal static class AutoinstallCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        RequireRoot();
        return await engine.AutoinstallAsync(Targets(args, engine)[0], options, ct).ConfigureAwait(false);
    }
}
