using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using static Dkms.Cli.Commands.CommandGuards;

namespace Dkms.Cli.Commands;

/// <summary><c>add</c>: m/v, a source directory, a dkms.conf, or a tarball.</summary>
internal static class AddCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, string action, DkmsArguments args, ActionOptions options, CancellationToken ct)
    {
        RequireWritableTree(engine);
        if (args.SourcePath is not null)
        {
            RequireRoot();
            return (await engine.AddSourceTreeAsync(args.SourcePath, options, ct: ct).ConfigureAwait(false)).ExitCode;
        }

        if (args.ArchivePath is not null)
        {
            RequireRoot();
            return await engine.LoadTarballAsync(args.ArchivePath, options, ct).ConfigureAwait(false);
        }

        return await engine.AddAsync(RequireModule(args), options, ct).ConfigureAwait(false);
    }
}
