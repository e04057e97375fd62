using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dkms.Bench.Infrastructure;

/// <summary>Debian's docker-registry on 127.0.0.1 (a port of its choosing) with a private storage directory; killed by pid at dispose.</summary>
internal sealed partial class Registry : IDisposable
{
    private readonly Process _process;

    private Registry(Process process, int port)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}/dkms";
    }

    public string Url { get; }

    public static async Task<Registry> StartAsync(string storage)
    {
        Directory.CreateDirectory(storage);
        var config = storage.TrimEnd('/') + ".yml";
        await File.WriteAllTextAsync(config,
            $"version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {storage}\n"
            + "http:\n  addr: 127.0.0.1:0\n");
        var psi = new ProcessStartInfo("/usr/bin/docker-registry", ["serve", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(psi)!;
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Listening().Match(line) is { Success: true } m)
            {
                port.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new Registry(process, await port.Task.WaitAsync(TimeSpan.FromSeconds(15)));
    }

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();
}
