using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dkms.Tests.Shared;

/// <summary>
/// A private <c>dbus-daemon</c> on a socket in a temporary directory: either a copy of Debian's system.conf
/// (our policy directory instead of system.d, no fork/pidfile/syslog/activation) or a permissive session bus.
/// Never the machine's own buses.
/// </summary>
internal sealed partial class DBusDaemon : IAsyncDisposable
{
    private readonly string _config;
    private Process? _process;

    private DBusDaemon(string directory, string config)
    {
        Directory = directory;
        _config = config;
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "bus.sock");

    /// <summary>The address for DBUS_SYSTEM_BUS_ADDRESS / DBUS_SESSION_BUS_ADDRESS / --address.</summary>
    public string Address => $"unix:path={SocketPath}";

    /// <summary>A bus with the stock system policy plus the files of <paramref name="policyDir"/>.</summary>
    public static DBusDaemon SystemLike(string directory, string policyDir)
    {
        var conf = File.ReadAllText("/usr/share/dbus-1/system.conf");
        conf = Element("user").Replace(conf, string.Empty);
        conf = Element("pidfile").Replace(conf, string.Empty);
        conf = Element("servicehelper").Replace(conf, string.Empty);
        conf = conf.Replace("<fork/>", string.Empty, StringComparison.Ordinal)
            .Replace("<syslog/>", string.Empty, StringComparison.Ordinal)
            .Replace("<standard_system_servicedirs/>", string.Empty, StringComparison.Ordinal);
        conf = Element("listen").Replace(conf, $"<listen>unix:path={Path.Combine(directory, "bus.sock")}</listen>", 1);
        conf = Element("includedir").Replace(conf, string.Empty);
        conf = IgnoreMissingInclude().Replace(conf, string.Empty);
        conf = conf.Replace("</busconfig>", $"<includedir>{policyDir}</includedir>\n</busconfig>", StringComparison.Ordinal);
        return Create(directory, conf);
    }

    /// <summary>A session bus where anyone may own and call anything.</summary>
    public static DBusDaemon Session(string directory) => Create(directory, $"""
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <type>session</type>
          <listen>unix:path={Path.Combine(directory, "bus.sock")}</listen>
          <auth>EXTERNAL</auth>
          <policy context="default">
            <allow send_destination="*" eavesdrop="true"/>
            <allow eavesdrop="true"/>
            <allow own="*"/>
          </policy>
        </busconfig>
        """);

    /// <summary>Starts the bus and waits until it prints its address (it listens then).</summary>
    public async Task StartAsync()
    {
        if (File.Exists(SocketPath))
        {
            File.Delete(SocketPath);
        }

        var psi = new ProcessStartInfo("dbus-daemon") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { $"--config-file={_config}", "--nofork", "--nopidfile", "--print-address" })
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi)!;
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15));
        if (line is null || !line.StartsWith("unix:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"dbus-daemon did not start: {line} {await _process.StandardError.ReadToEndAsync()}");
        }

        _ = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>Kills the bus (every client sees its connection drop), as a crash or a restart would.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }

        _process?.Dispose();
        _process = null;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static DBusDaemon Create(string directory, string conf)
    {
        System.IO.Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8)); // other users (nobody) connect too
        var config = Path.Combine(directory, "bus.conf");
        File.WriteAllText(config, conf);
        return new DBusDaemon(directory, config);
    }

    private static Regex Element(string name) => new($"<{name}>[^<]*</{name}>", RegexOptions.CultureInvariant);

    [GeneratedRegex("<include ignore_missing=\"yes\">[^<]*</include>", RegexOptions.CultureInvariant)]
    private static partial Regex IgnoreMissingInclude();
}
