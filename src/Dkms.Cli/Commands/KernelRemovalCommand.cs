using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>kernel_prerm</c> and <c>kernel_preinst</c> for one kernel.</summary>
internal static class KernelRemovalCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        RequireRoot();
        return await engine.KernelRemoveAsync(Targets(args, engine)[0], onlyAutoinstall: action == "kernel_preinst", options, ct)
            .ConfigureAwait(false);
    }
}
