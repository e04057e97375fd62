using Dkms.Core.Framework;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Processes;
using Dkms.Core.Validation;

namespace Dkms.Core.Sandbox;

/// <summary>
/// Runs package code (dkms.conf, PATCH, PRE_BUILD, MAKE, CLEAN, POST_BUILD) in the sandbox framework.conf chose
/// (<see cref="SandboxChoice"/>): a step in a module's build directory may write there and nowhere else; dkmsd's
/// state, the tree's locks and the MOK private key are not there at all. With <c>build_sandbox="none"</c> it runs
/// the step as it is, and says so once.
/// </summary>
public sealed class PackageCodeRunner(IProcessRunner inner, DkmsSettings settings, DkmsOutput output) : IProcessRunner
{
    private static int _warnedUnsandboxed;

    /// <summary>How much of a failed step's output file (make.log) is searched for a refusal: its end.</summary>
    private const int RefusalSearchBytes = 1 << 20;

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!settings.Debug)
        {
            return await RunPackageCodeAsync(spec, cancellationToken).ConfigureAwait(false);
        }

        var sandboxed = await SandboxAsync().ConfigureAwait(false) is not null;
        output.ErrLine(TracingProcessRunner.StartLine(spec, sandboxed ? "sandboxed" : null));
        var result = await RunPackageCodeAsync(spec, cancellationToken).ConfigureAwait(false);
        output.ErrLine(TracingProcessRunner.EndLine(spec, result));
        return result;
    }

    private async Task<ProcessResult> RunPackageCodeAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        var sandbox = await SandboxAsync().ConfigureAwait(false);
        if (sandbox is null)
        {
            return await inner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
        }

        var view = ViewFor(spec);
        if (sandbox.Unreachable(spec, view) is { } why)
        {
            throw new DkmsException(DkmsErrorKind.FailedPrecondition, DkmsExitCode.BadConf, why);
        }

        var result = await inner.RunAsync(sandbox.Wrap(spec, view), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result : result with { Refusal = SandboxRefusal.Find(OutputOf(spec, result), view.Writable) };
    }

    /// <summary>A failed step's output: what was captured, or the end of the file it wrote to.</summary>
    private static string[] OutputOf(ProcessSpec spec, ProcessResult result)
    {
        var text = result.Stdout + "\n" + result.Stderr;
        if (spec.OutputFile is { } file && file != "/dev/null" && File.Exists(file))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - RefusalSearchBytes), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            text += "\n" + reader.ReadToEnd();
        }

        return text.Split('\n');
    }

    /// <summary>Hands a directory to the build user for the steps that write it (nothing to do unsandboxed).</summary>
    private async Task<IDisposable> LendAsync(string directory) =>
        await SandboxAsync().ConfigureAwait(false) is { } sandbox ? sandbox.Lend(directory) : BuildSandbox.NoLease.Instance;

    /// <summary>The view of one step: its working directory writable when it is a build directory of the dkms tree.</summary>
    public SandboxView ViewFor(ProcessSpec spec)
    {
        var tree = Path.GetFullPath(settings.DkmsTree);
        var cwd = spec.WorkingDirectory is { } d ? Path.GetFullPath(d) : null;
        var isBuildDir = cwd is not null && Path.GetFileName(cwd) == "build" && cwd.StartsWith(tree + "/", StringComparison.Ordinal);
        // The trees, and the directories of the files and directories a step is given (a dkms.conf read from a path).
        // Real paths (a link is bound where it leads), and none inside another: each shows once.
        var given = spec.Arguments.Where(a => a.StartsWith('/') && (File.Exists(a) || Directory.Exists(a)))
            .Select(a => Directory.Exists(a) ? a : Path.GetDirectoryName(a)!);
        var visible = new[] { tree, settings.SourceTree, settings.InstallTree }.Concat(given).Concat(cwd is null ? [] : [cwd])
            .Where(Directory.Exists).Select(PathGuard.RealPath).Distinct(StringComparer.Ordinal).ToList();
        return new SandboxView
        {
            Writable = isBuildDir ? [cwd!, .. OwnSource(cwd!)] : [],
            Visible = [.. visible.Where(d => !visible.Any(o => o != d && PathGuard.IsWithin(o, d)))],
            HiddenDirectories = [Path.Combine(tree, ".dkmsd"), Path.Combine(tree, ".locks")],
            HiddenFiles = [.. new[] { settings.MokSigningKey, Path.Combine(tree, "mok.key") }.OfType<string>().Distinct(StringComparer.Ordinal)],
        };
    }

    /// <summary>
    /// The module's own source directory (where <c>source</c> beside the build directory leads, inside the source tree):
    /// some packages build in it, as dkms lets them (west-chamber links and makes in /usr/src/&lt;module&gt;-&lt;version&gt;).
    /// </summary>
    public IEnumerable<string> OwnSource(string buildDirectory)
    {
        var link = Path.Combine(Path.GetDirectoryName(buildDirectory)!, "source");
        if (!Directory.Exists(link))
        {
            yield break;
        }

        var real = PathGuard.RealPath(link);
        var sources = PathGuard.RealPath(settings.SourceTree);
        if (real != sources && PathGuard.IsWithin(sources, real))
        {
            yield return real;
        }
    }

    /// <summary>Hands the build directory and the module's own source to the build user for the steps that write them.</summary>
    public async Task<IDisposable> LendBuildAsync(string buildDirectory)
    {
        var leases = new List<IDisposable> { await LendAsync(buildDirectory).ConfigureAwait(false) };
        foreach (var source in OwnSource(buildDirectory))
        {
            leases.Add(await LendAsync(source).ConfigureAwait(false));
        }

        return new Leases(leases);
    }

    private sealed class Leases(List<IDisposable> all) : IDisposable
    {
        public void Dispose()
        {
            foreach (var lease in all)
            {
                lease.Dispose();
            }
        }
    }

    private async Task<BuildSandbox?> SandboxAsync()
    {
        var choice = await SandboxChoice.ForAsync(settings).ConfigureAwait(false);
        var sandbox = choice.Require();
        var warning = choice.Warning
            ?? (settings.BuildSandbox == SandboxChoice.None ? "Warning: build_sandbox=\"none\": dkms.conf, its scripts and make run as root, unconfined." : null);
        if (sandbox is null && warning is not null && Interlocked.Exchange(ref _warnedUnsandboxed, 1) == 0)
        {
            output.ErrLine(warning);
        }

        return sandbox;
    }
}
