using System.Xml.Linq;
using Dkms.Daemon.DBus;
using Dkms.Daemon.Events;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.DBus;

public sealed class EventSignalsTests
{
    private static Job BuildJob(string id, string module, string kernel, JobState state, int exit = 0, string error = "") => new()
    {
        Id = id,
        Action = Protocol.V1.Action.Build,
        Key = new JobKey { Module = module, Version = "1.0", Kernel = kernel, Arch = "x86_64" },
        State = state,
        ExitCode = exit,
        FirstErrorLine = error,
        LogPath = $"/var/lib/dkms/{module}/1.0/build/make.log",
    };

    /// <summary>Publishes on a real EventBus and maps what a subscriber reads, as the D-Bus service does.</summary>
    private static async Task<List<DBusSignal>> PublishAndMapAsync(params Event[] events)
    {
        var bus = new EventBus(TimeProvider.System);
        using var subscription = bus.Subscribe();
        foreach (var e in events)
        {
            bus.Publish(e);
        }

        var mapped = new List<DBusSignal>();
        for (var i = 0; i < events.Length; i++)
        {
            var e = await subscription.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            if (EventSignals.Map(e) is { } s)
            {
                mapped.Add(s);
            }
        }

        return mapped;
    }

    [Fact]
    public async Task Map_JobLifecycle_QueuedStartedFinishedWithErrorAndLog()
    {
        var failed = BuildJob("7", "nvidia", "6.1.0-9-amd64", JobState.Failed, 10, "nv.c:3:1: error: expected ';'");

        var signals = await PublishAndMapAsync(
            new Event { JobQueued = new JobEvent { Job = BuildJob("7", "nvidia", "6.1.0-9-amd64", JobState.Queued) } },
            new Event { JobStarted = new JobEvent { Job = BuildJob("7", "nvidia", "6.1.0-9-amd64", JobState.Running) } },
            new Event { JobPhase = new JobEvent { Job = BuildJob("7", "nvidia", "6.1.0-9-amd64", JobState.Running) } },
            new Event { JobFinished = new JobEvent { Job = failed } });

        Assert.Equal(["JobQueued", "JobStarted", "JobFinished"], signals.Select(s => s.Member));
        Assert.Equal(["7", "build", "nvidia", "1.0", "6.1.0-9-amd64", "x86_64"], signals[0].Args);
        Assert.Equal(["7", "build", "nvidia", "1.0", "6.1.0-9-amd64", "x86_64", "failed", 10, "nv.c:3:1: error: expected ';'",
            "/var/lib/dkms/nvidia/1.0/build/make.log"], signals[2].Args);
    }

    [Fact]
    public async Task Map_KernelSettledWithFailure_NotAllSucceededNamesModule()
    {
        var kernel = new KernelTarget { Kernel = "6.1.0-9-amd64", Arch = "x86_64" };

        var signals = await PublishAndMapAsync(
            new Event { JobFinished = new JobEvent { Job = BuildJob("1", "old", "6.1.0-9-amd64", JobState.Failed, 10) } },
            new Event { KernelDetected = new KernelEvent { Kernel = kernel, HeadersDir = "/lib/modules/6.1.0-9-amd64/build" } },
            new Event { JobFinished = new JobEvent { Job = BuildJob("2", "zfs", "6.1.0-9-amd64", JobState.Succeeded) } },
            new Event { JobFinished = new JobEvent { Job = BuildJob("3", "vbox", "6.1.0-9-amd64", JobState.Failed, 10) } },
            new Event { JobFinished = new JobEvent { Job = BuildJob("4", "vbox", "6.1.0-8-amd64", JobState.Succeeded) } },
            new Event { JobFinished = new JobEvent { Job = BuildJob("5", "excl", "6.1.0-9-amd64", JobState.Skipped, 77) } },
            new Event { KernelSettled = new KernelEvent { Kernel = kernel, AllSucceeded = false, FailedModules = { "vbox/1.0" } } });

        Assert.Equal(["6.1.0-9-amd64", "x86_64", "/lib/modules/6.1.0-9-amd64/build"], signals.Single(s => s.Member == "KernelDetected").Args);
        var settled = signals.Single(s => s.Member == "KernelSettled");
        Assert.Equal("ssbas", settled.Signature);
        Assert.Equal("6.1.0-9-amd64", settled.Args[0]);
        Assert.False((bool)settled.Args[2]);
        Assert.Equal(["vbox/1.0"], (string[])settled.Args[3]);
    }

    [Fact]
    public async Task Map_KernelSettledAllSucceeded_TrueAndNoModules()
    {
        var kernel = new KernelTarget { Kernel = "6.1.0-9-amd64" };

        var signals = await PublishAndMapAsync(
            new Event { KernelDetected = new KernelEvent { Kernel = kernel } },
            new Event { JobFinished = new JobEvent { Job = BuildJob("1", "zfs", "6.1.0-9-amd64", JobState.Failed, 10) } },
            new Event { JobFinished = new JobEvent { Job = BuildJob("2", "zfs", "6.1.0-9-amd64", JobState.Succeeded) } },
            new Event { KernelSettled = new KernelEvent { Kernel = kernel, AllSucceeded = true } },
            new Event { ModuleAdded = new ModuleEvent { Module = new ModuleRef { Name = "zfs", Version = "2.1" } } },
            new Event { ModuleRemoved = new ModuleEvent { Module = new ModuleRef { Name = "zfs", Version = "2.0" } } });

        Assert.Equal(["6.1.0-9-amd64", string.Empty, true, Array.Empty<string>()], signals.Single(s => s.Member == "KernelSettled").Args);
        Assert.Equal(["zfs", "2.1"], signals.Single(s => s.Member == "ModuleAdded").Args);
        Assert.Equal(["zfs", "2.0"], signals.Single(s => s.Member == "ModuleRemoved").Args);
    }

    [Fact]
    public async Task Map_EverySignal_MatchesTheIntrospectionXml()
    {
        var kernel = new KernelTarget { Kernel = "k" };
        var job = BuildJob("1", "m", "k", JobState.Succeeded);
        var signals = await PublishAndMapAsync(
            new Event { JobQueued = new JobEvent { Job = job } }, new Event { JobStarted = new JobEvent { Job = job } },
            new Event { JobFinished = new JobEvent { Job = job } }, new Event { KernelDetected = new KernelEvent { Kernel = kernel } },
            new Event { KernelSettled = new KernelEvent { Kernel = kernel, AllSucceeded = true } },
            new Event { ModuleAdded = new ModuleEvent { Module = new ModuleRef { Name = "m", Version = "1" } } },
            new Event { ModuleRemoved = new ModuleEvent { Module = new ModuleRef { Name = "m", Version = "1" } } },
            new Event { SigningAdvice = new SigningAdvice { Certificate = "/var/lib/dkms/mok.pub", Advice = "run 'mokutil --import ...'" } });

        var xml = XDocument.Parse(DaemonObject.InterfaceXmlText).Root!;
        var declared = xml.Elements("signal").ToDictionary(s => (string)s.Attribute("name")!,
            s => string.Concat(s.Elements("arg").Select(a => (string)a.Attribute("type")!)));

        Assert.Equal("org.dkmsd.Daemon1", (string?)xml.Attribute("name"));
        Assert.Equal(declared.Keys.Order(), signals.Select(s => s.Member).Order());
        Assert.All(signals, s => Assert.Equal(declared[s.Member], s.Signature));
    }
}
