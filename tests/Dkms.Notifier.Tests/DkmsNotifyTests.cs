using System.Diagnostics;
using System.Text;
using Dkms.Tests.Shared;
using Tmds.DBus.Protocol;

namespace Dkms.Notifier.Tests;

/// <summary>The real dkms-notify between a private "system" bus (signals) and a private session bus (a notification server).</summary>
public sealed class DkmsNotifyTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("dkms-notify-").FullName;
    private readonly StringBuilder _output = new();
    private DBusDaemon _system = null!;
    private DBusDaemon _session = null!;
    private Process? _notifier;

    public async Task InitializeAsync()
    {
        _system = DBusDaemon.Session(Path.Combine(_root, "system"));
        _session = DBusDaemon.Session(Path.Combine(_root, "session"));
        await _system.StartAsync();
        await _session.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_notifier is { HasExited: false })
        {
            _notifier.Kill();
            await _notifier.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _notifier?.Dispose();
        await _system.DisposeAsync();
        await _session.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Notifier_FailuresAndKernels_NotifiesCoalescesAndSurvivesBusRestarts()
    {
        using var server = new FakeNotificationServer();
        await server.StartAsync(_session.Address);
        StartNotifier();
        await WaitForOutputAsync("listening", 1);

        // A failed build: critical, with module, kernel, first error and log; a repeat is coalesced.
        await EmitAsync("JobFinished", "sssssssiss", "3", "build", "hello-bad", "1.0", "6.1.0-9-amd64", "x86_64", "failed", 10,
            "hello_dkms.c:9:20: error: expected expression before ';' token", "/var/lib/dkms/hello-bad/1.0/build/make.log");
        var failed = await server.WaitForAsync(c => c.Summary.Contains("hello-bad", StringComparison.Ordinal));
        await EmitAsync("JobFinished", "sssssssiss", "3", "build", "hello-bad", "1.0", "6.1.0-9-amd64", "x86_64", "failed", 10,
            "hello_dkms.c:9:20: error: expected expression before ';' token", "/var/lib/dkms/hello-bad/1.0/build/make.log");
        await EmitAsync("JobFinished", "sssssssiss", "4", "build", "ok", "1.0", "6.1.0-9-amd64", "x86_64", "succeeded", 0, "", "");

        // A kernel with failures, then (after a fix) ready: the second replaces the first.
        await EmitAsync("KernelSettled", "ssbas", "6.1.0-9-amd64", "x86_64", false, new[] { "hello-bad/1.0" });
        var notReady = await server.WaitForAsync(c => c.Summary.Contains("modules failed", StringComparison.Ordinal));
        await EmitAsync("KernelSettled", "ssbas", "6.1.0-9-amd64", "x86_64", true, Array.Empty<string>());
        var ready = await server.WaitForAsync(c => c.Body.Contains("safe to reboot", StringComparison.Ordinal));

        Assert.Equal(2, failed.Urgency);
        Assert.Contains("6.1.0-9-amd64", failed.Summary, StringComparison.Ordinal);
        Assert.Contains("error: expected expression", failed.Body, StringComparison.Ordinal);
        Assert.Contains("/var/lib/dkms/hello-bad/1.0/build/make.log", failed.Body, StringComparison.Ordinal);
        Assert.Equal("dkms-notify", failed.App);
        Assert.Equal(2, notReady.Urgency);
        Assert.Equal(1, ready.Urgency);
        Assert.Contains("hello-bad/1.0", notReady.Body, StringComparison.Ordinal);
        Assert.Equal(notReady.Id, ready.ReplacesId);
        Assert.Single(server.Calls, c => c.Summary.Contains("hello-bad", StringComparison.Ordinal));
        Assert.Equal(3, server.Calls.Count);

        // The session bus restarts (a new notification server comes up with it).
        await _session.RestartAsync();
        using var server2 = new FakeNotificationServer();
        await server2.StartAsync(_session.Address);
        await EmitUntilAsync(server2, "6.2.0-1-amd64");

        // The system bus restarts: the notifier subscribes again.
        await _system.RestartAsync();
        await WaitForOutputAsync("listening", 2);
        await EmitUntilAsync(server2, "6.3.0-1-amd64");
        Assert.False(_notifier!.HasExited);
    }

    [Fact]
    public async Task Notifier_SigningKeyNotEnrolled_OneCriticalNotificationWithTheCommandPerSession()
    {
        using var server = new FakeNotificationServer();
        await server.StartAsync(_session.Address);
        StartNotifier();
        await WaitForOutputAsync("listening", 1);
        const string Advice = "Secure Boot is on and the module signing key /var/lib/dkms/mok.pub is not enrolled, so the kernel will refuse "
            + "these modules: run 'mokutil --import /var/lib/dkms/mok.pub', choose a password, reboot and choose \"Enroll MOK\" in the blue MOK Manager screen.";

        await EmitAsync("SigningKeyNotEnrolled", "ss", "/var/lib/dkms/mok.pub", Advice);
        var advice = await server.WaitForAsync(c => c.Body.Contains("mokutil --import", StringComparison.Ordinal));
        await EmitAsync("SigningKeyNotEnrolled", "ss", "/var/lib/dkms/mok.pub", Advice); // the next build says it again
        await EmitUntilAsync(server, "6.4.0-1-amd64"); // later signals are handled: the repeat was seen and dropped

        Assert.Equal(2, advice.Urgency);
        Assert.Equal(Advice, advice.Body);
        Assert.Single(server.Calls, c => c.Body.Contains("mokutil", StringComparison.Ordinal));
    }

    private async Task EmitUntilAsync(FakeNotificationServer server, string kernel)
    {
        var end = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < end)
        {
            await EmitAsync("KernelSettled", "ssbas", kernel, "x86_64", true, Array.Empty<string>());
            if (server.Calls.Any(c => c.Summary.Contains(kernel, StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"No notification for {kernel}; notifier said:\n{Output}");
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void StartNotifier()
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "dkms-notify"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = _system.Address;
        psi.Environment["DBUS_SESSION_BUS_ADDRESS"] = _session.Address;
        _notifier = Process.Start(psi)!;
        DataReceivedEventHandler append = (_, e) =>
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
        };
        _notifier.OutputDataReceived += append;
        _notifier.ErrorDataReceived += append;
        _notifier.BeginOutputReadLine();
        _notifier.BeginErrorReadLine();
    }

    private async Task WaitForOutputAsync(string what, int count)
    {
        var end = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < end)
        {
            var text = Output;
            var n = 0;
            for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal))
            {
                n++;
            }

            if (n >= count)
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"dkms-notify never printed '{what}' {count}x:\n{Output}");
    }

    /// <summary>Sends one org.dkmsd.Daemon1 signal, as dkmsd would, from a fresh connection on the "system" bus.</summary>
    private async Task EmitAsync(string member, string signature, params object[] args)
    {
        using var connection = new DBusConnection(_system.Address);
        await connection.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        var w = connection.GetMessageWriter();
        try
        {
            w.WriteSignalHeader(null, "/org/dkmsd/Daemon1", "org.dkmsd.Daemon1", member, signature);
            foreach (var a in args)
            {
                switch (a)
                {
                    case string s: w.WriteString(s); break;
                    case int i: w.WriteInt32(i); break;
                    case bool b: w.WriteBool(b); break;
                    case string[] arr: w.WriteArray(arr); break;
                }
            }

            connection.TrySendMessage(w.CreateMessage());
        }
        finally
        {
            w.Dispose();
        }

        await connection.ListServicesAsync().WaitAsync(TimeSpan.FromSeconds(10)); // a round trip: the signal left before we close
        await Task.Delay(100);
    }
}
