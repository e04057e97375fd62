using Dkms.Daemon.Authorization;
using Dkms.Daemon.Automation;
using Dkms.Daemon.DBus;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Jobs;
using Dkms.Daemon.Health;
using Dkms.Daemon.Listening;
using Dkms.Daemon.Logging;
using Dkms.Daemon.Memory;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Dkms.Daemon.Signing;
using Dkms.Daemon.Systemd;
using Dkms.Daemon.LiveStatus;
using Serilog;

// dkmsd: the dkms engine as a service, gRPC over a Unix socket.
Log.Logger = DaemonLogging.Configure(new LoggerConfiguration()).CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
    {
        // dkmsd's own flags are parsed below, strictly. appsettings.json is read once: reloading it would cost an inotify
        // instance, and with none left (a user's watchers used them all) the host would not even start.
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory, // an optional appsettings.json lives next to the binary, not in the cwd
    });
    builder.Configuration.AddInMemoryCollection(DaemonCommandLine.Parse(args)); // flags win over files and environment

    builder.Services.AddSerilog((_, config) => DaemonLogging.Configure(config));
    builder.Services.AddDaemonOptions();
    builder.Services.AddDaemonContext();
    builder.Services.AddPeerAuthorization();
    builder.Services.AddJobs();
    builder.Services.AddAutomation();
    builder.Services.AddLiveStatus(); // after the event bus: follows the daemon's own jobs
    builder.Services.AddEnrollmentAdvice(); // after the event bus
    builder.Services.AddDBusSignals(); // after the event bus; subscribes when the host starts, before the socket listens
    builder.Services.AddDkmsGrpc();
    builder.Services.AddDaemonHealth();
    builder.Services.AddIdleTrim();
    builder.Services.AddUnixSocketListener();
    builder.Services.AddSystemdNotify(); // after the listener: READY=1 follows the socket mode being set

    var app = builder.Build();
    await app.LoadDkmsSettingsAsync(); // before the socket listens: no call sees unloaded settings
    app.LoadJobHistory();
    app.RecoverInterruptedWork();
    app.MapDkmsGrpc();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is not HostAbortedException)
{
    Log.Fatal(e, "dkmsd failed to start or stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
