using Dkms.Core.Processes;

namespace Dkms.Core.Tests.Actions;

/// <summary>
/// make, depmod, modinfo, strip and sign-file as the engine sees them, without a kernel: everything else (cp, date,
/// bash evaluating a dkms.conf, a hook script) runs for real.
/// </summary>
/// <remarks>
/// "make" writes the modules its build directory's <c>fake-ko</c> file lists (one "path version" a line) as text
/// files that "modinfo" reads back; a <c>fake-make-fails</c> file makes it fail. "depmod" writes modules.dep, or fails
/// with <see cref="DepmodExitCode"/>.
/// </remarks>
internal sealed class FakeProcessRunner(string installTree) : IProcessRunner
{
    private readonly List<string> _log = [];

    /// <summary>Every faked command, in the order it ran: "make DIR", "clean DIR", "depmod K", "sign FILE", "modinfo FILE".</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>What the next depmod runs return (0 succeeds).</summary>
    public int DepmodExitCode { get; set; }

    /// <summary>Every sign-file (or kmodsign) run, with its arguments.</summary>
    public List<ProcessSpec> Signings { get; } = [];

    /// <summary>What sign-file returns (0 signs: it appends a signature line to the module).</summary>
    public int SignFileExitCode { get; set; }

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken = default)
    {
        if (spec.FileName == "bash" && spec.Arguments is ["-c", var command] && Fake(command, spec) is { } step)
        {
            return step;
        }

        if (spec.FileName == "modinfo")
        {
            Record($"modinfo {Path.GetFileName(spec.Arguments[0])}");
            var lines = File.Exists(spec.Arguments[0]) ? File.ReadAllLines(spec.Arguments[0]) : [];
            return Ok(string.Join('\n', lines.Where(l => l.StartsWith("version:", StringComparison.Ordinal))) + "\n");
        }

        if (spec.FileName == "strip")
        {
            return Ok();
        }

        if (spec.FileName == "llvm-strip")
        {
            Record($"llvm-strip {Path.GetFileName(spec.Arguments[^1])}");
            return Ok();
        }

        if (spec.FileName.EndsWith("sign-file", StringComparison.Ordinal) || spec.FileName.EndsWith("/kmodsign", StringComparison.Ordinal))
        {
            var ko = spec.Arguments[^1];
            Record($"sign {Path.GetFileName(ko)}");
            lock (Signings)
            {
                Signings.Add(spec);
            }

            if (SignFileExitCode != 0)
            {
                return new ProcessResult(SignFileExitCode, false, TimeSpan.Zero, "sign-file: key unreadable\n", string.Empty);
            }

            await File.AppendAllTextAsync(ko, "signature: fake\n", cancellationToken).ConfigureAwait(false);
            return Ok();
        }

        return await ProcessRunner.Default.RunAsync(spec, cancellationToken).ConfigureAwait(false);
    }

    private ProcessResult? Fake(string command, ProcessSpec spec)
    {
        var cwd = spec.WorkingDirectory ?? string.Empty;
        if (command.StartsWith("make", StringComparison.Ordinal) && command.EndsWith(" clean", StringComparison.Ordinal))
        {
            Record($"clean {cwd}");
            return Ok();
        }

        if (command.StartsWith("make", StringComparison.Ordinal))
        {
            Record($"make {cwd}");
            if (spec.OutputFile is { } log)
            {
                File.AppendAllText(log, $"fake make: {command}\n");
                foreach (var (name, value) in (spec.ExtraEnvironment ?? new Dictionary<string, string>()).Where(e => e.Key.StartsWith("DKMS_TEST_", StringComparison.Ordinal)))
                {
                    File.AppendAllText(log, $"fake make env: {name}={value}\n");
                }
            }

            if (File.Exists(Path.Combine(cwd, "fake-make-fails")))
            {
                return new ProcessResult(2, false, TimeSpan.Zero, string.Empty, string.Empty);
            }

            var kernel = command.Split(' ').Single(w => w.StartsWith("KERNELRELEASE=", StringComparison.Ordinal))["KERNELRELEASE=".Length..];
            foreach (var line in File.ReadAllLines(Path.Combine(cwd, "fake-ko")))
            {
                var (path, version) = (line.Split(' ')[0], line.Split(' ')[1]);
                File.WriteAllText(Path.Combine(cwd, path), $"module {path} for {kernel}\nversion: {version}\n");
            }

            return Ok();
        }

        if (command.StartsWith("'depmod' '-a'", StringComparison.Ordinal))
        {
            var kernel = command.Split(' ')[^1].Trim('\'');
            Record($"depmod {kernel}");
            if (DepmodExitCode != 0)
            {
                return new ProcessResult(DepmodExitCode, false, TimeSpan.Zero, string.Empty, string.Empty);
            }

            File.WriteAllText(Path.Combine(installTree, kernel, "modules.dep"), string.Empty);
            return Ok();
        }

        return null;
    }

    private void Record(string what)
    {
        lock (_log)
        {
            _log.Add(what);
        }
    }

    private static ProcessResult Ok(string stdout = "") => new(0, false, TimeSpan.Zero, stdout, string.Empty);
}
