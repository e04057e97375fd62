using Dkms.Core.Framework;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Validation;

namespace Dkms.Core.Processes;

/// <summary>The scripts a dkms.conf names (POST_ADD, PRE_/POST_BUILD, PRE_/POST_INSTALL, POST_REMOVE), run as dkms runs them.</summary>
internal sealed class Hooks(DkmsSettings settings, DkmsOutput output, IProcessRunner processes)
{
    private DkmsMessages M => output.Messages;

    /// <summary>
    /// Resolves a hook directive ("script args…") to the script inside <paramref name="directory"/>, or
    /// throws when it would lead outside it.
    /// </summary>
    public (string Script, string[] Args) HookCommand(string directive, string value, string directory)
    {
        var words = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.BadConf, M.ScriptNamesNothing(directive));
        }

        var script = PathGuard.Inside(directory, words[0], directive);
        return (script, words[1..]);
    }

    /// <summary>PRE_BUILD / POST_BUILD: run in the build dir as the other scripts are; a failure ends the build with its status.</summary>
    /// <remarks>dkms carries on after a failed build script; dkmsd does not build on after a step that failed.</remarks>
    /// <param name="logFile">3.2+: the script is a <c>Running the … script... done.</c> step, its output appended to this make.log.</param>
    public async Task RunBuildHookAsync(string type, string directive, string? value, string directory, CancellationToken ct, string? module = null,
        string? logFile = null)
    {
        var (code, refusal) = logFile is null
            ? await RunScriptAsync(type, directive, value, directory, guarded: true, module, ct).ConfigureAwait(false)
            : await RunLoggedScriptAsync(type, directive, value, directory, module, logFile, ct).ConfigureAwait(false);
        if (code != 0)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, code, [.. M.ScriptFailed(type), .. refusal?.Explain(directory) ?? []]);
        }
    }

    /// <summary>POST_ADD, PRE_/POST_BUILD, PRE_INSTALL, POST_INSTALL, POST_REMOVE: run in their directory, output to the terminal.</summary>
    /// <remarks>
    /// The script's stdout and stderr share one pipe, so its lines come out in the order it wrote them (as on
    /// dkms's terminal); all of them are printed on stdout.
    /// </remarks>
    /// <param name="guarded">Record the running group in <paramref name="directory"/> (a build dir), see <see cref="OrphanGuard"/>.</param>
    /// <param name="module">The module, for 3.4's override <c>&lt;config dir&gt;/&lt;module&gt;/&lt;script&gt;</c>.</param>
    /// <returns>The script's exit status (0 when it is absent or not executable).</returns>
    public async Task<int> RunAsync(string type, string directive, string? value, string directory, CancellationToken ct,
        bool guarded = false, string? module = null) =>
        (await RunScriptAsync(type, directive, value, directory, guarded, module, ct).ConfigureAwait(false)).Code;

    /// <summary><see cref="RunAsync"/>, with what the sandbox refused the script when it failed.</summary>
    private async Task<(int Code, Sandbox.SandboxRefusal? Refusal)> RunScriptAsync(string type, string directive, string? value, string directory,
        bool guarded, string? module, CancellationToken ct)
    {
        if (value is null)
        {
            return (0, null);
        }

        if (Resolve(type, directive, value, directory, module) is not var (workDir, script, args))
        {
            return (0, null);
        }

        M.RunningScript(output, type);
        var result = await processes.RunAsync(new ProcessSpec(script, args)
        {
            WorkingDirectory = workDir,
            // dkms cd's there first: the script's $PWD (and pwd) is the directory as named, links and all.
            ExtraEnvironment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PWD"] = workDir.TrimEnd('/') },
            Timeout = settings.BuildTimeout,
            MergeStderr = true,
            OnStdout = l => output.Line(l),
            OnStarted = guarded ? pid => OrphanGuard.Record(directory, pid) : null,
        }, ct).ConfigureAwait(false);
        if (guarded)
        {
            OrphanGuard.Clear(directory);
        }

        return (result.TimedOut ? DkmsExitCode.TimedOut : result.ExitCode, result.Refusal);
    }

    /// <summary>3.2's run_build_script with a log: <c>cd DIR/ &amp;&amp; SCRIPT ARGS</c> as an invoke_command step into make.log.</summary>
    private async Task<(int Code, Sandbox.SandboxRefusal? Refusal)> RunLoggedScriptAsync(string type, string directive, string? value,
        string directory, string? module, string logFile, CancellationToken ct)
    {
        if (value is null)
        {
            return (0, null);
        }

        if (Resolve(type, directive, value, directory, module) is not var (workDir, script, args))
        {
            return (0, null);
        }

        var command = $"cd {ShellWord(workDir.TrimEnd('/') + "/")} && {string.Join(' ', new[] { script }.Concat(args).Select(ShellWord))}";
        var result = await new BuildLog(settings, output, processes).RunStepAsync(
            new Actions.Step(M.RunningScriptStep(type), command, directory)
            {
                OutputFile = logFile,
                Background = true,
                Uses = workDir == directory ? [] : [script], // the override's directory, seen by the sandbox
            }, ct).ConfigureAwait(false);
        return (result.ExitCode, result.Refusal);
    }

    /// <summary>
    /// Where a script runs and what it is: 3.4's administrator's script in its own directory (a build's leftovers are
    /// still recorded in the build dir), else the package's in <paramref name="directory"/>; null, having said so, when
    /// it is not executable.
    /// </summary>
    private (string WorkDir, string Script, string[] Args)? Resolve(string type, string directive, string value,
        string directory, string? module)
    {
        var workDir = OverrideDirectory(directive, value, module) ?? directory;
        var (script, args) = HookCommand(directive, value, workDir);
        if (!IsExecutable(script))
        {
            M.ScriptNotExecutable(output, type);
            return null;
        }

        return (workDir, script, args);
    }

    /// <summary>A word as bash reads it: as it is when it has nothing bash would split or expand, else single-quoted.</summary>
    internal static string ShellWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@%".Contains(c)) ? word : Bash.BashEvaluator.Quote(word);

    /// <summary>
    /// 3.4's <c>/etc/dkms/&lt;module&gt;/</c> (the config dir) when it holds an executable named as the hook's first
    /// word; null when the profile has no overrides or there is none.
    /// </summary>
    private string? OverrideDirectory(string directive, string value, string? module)
    {
        if (!settings.Profile.ConfigDirOverrides || string.IsNullOrEmpty(module) || Validation.NameValidator.Problem(module) is not null)
        {
            return null;
        }

        var dir = Path.Combine(settings.ConfigDir, module);
        if (!Directory.Exists(dir))
        {
            return null;
        }

        var (script, _) = HookCommand(directive, value, dir);
        return IsExecutable(script) ? dir : null;
    }

    public static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
