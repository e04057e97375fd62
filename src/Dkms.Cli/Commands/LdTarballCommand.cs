using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using Dkms.Core.Errors;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>ldtarball</c> (<c>--archive FILE</c> or FILE).</summary>
internal static class LdTarballCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        if (args.Force)
        {
            RequireRoot();
        }

        RequireWritableTree(engine);
        var archive = args.Archive ?? args.ArchivePath
            ?? throw new DkmsException(DkmsErrorKind.InvalidArgument, 2, "ldtarball needs an archive (--archive FILE or FILE).");
        return await engine.LoadTarballAsync(Path.GetFullPath(archive), options, ct).ConfigureAwait(false);
    }
}
