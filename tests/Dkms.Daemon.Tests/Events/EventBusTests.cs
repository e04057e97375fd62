using Dkms.Daemon.Events;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.Events;

public sealed class EventBusTests
{
    private static Event Added(string module) => new() { ModuleAdded = new ModuleEvent { Module = new ModuleRef { Name = module, Version = "1" } } };

    [Fact]
    public void Publish_NumbersEventsFromOneAndStampsBootId()
    {
        var bus = new EventBus(TimeProvider.System);

        var first = bus.Publish(Added("a"));
        var second = bus.Publish(Added("b"));

        Assert.Equal((1ul, 2ul), (first.Sequence, second.Sequence));
        Assert.Equal(bus.BootId, second.BootId);
        Assert.NotNull(second.Time);
    }

    [Fact]
    public void Subscribe_AfterSequence_ReplaysLaterHistoryThenLiveEvents()
    {
        var bus = new EventBus(TimeProvider.System);
        bus.Publish(Added("a"));
        bus.Publish(Added("b"));

        using var sub = bus.Subscribe(afterSequence: 1);
        bus.Publish(Added("c"));

        Assert.True(sub.Reader.TryRead(out var replayed));
        Assert.True(sub.Reader.TryRead(out var live));
        Assert.Equal(("b", "c"), (replayed.ModuleAdded.Module.Name, live.ModuleAdded.Module.Name));
        Assert.False(sub.Reader.TryRead(out _));
    }

    [Fact]
    public void Subscribe_ModuleFilter_PassesThatModuleAndKernelEvents()
    {
        var bus = new EventBus(TimeProvider.System);
        using var sub = bus.Subscribe(module: "b");

        bus.Publish(Added("a"));
        bus.Publish(Added("b"));
        bus.Publish(new Event { KernelSettled = new KernelEvent { Kernel = new KernelTarget { Kernel = "6.1" } } });

        Assert.True(sub.Reader.TryRead(out var b));
        Assert.True(sub.Reader.TryRead(out var k));
        Assert.Equal("b", b.ModuleAdded.Module.Name);
        Assert.Equal(Event.KindOneofCase.KernelSettled, k.KindCase);
        Assert.False(sub.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Publish_SubscriberNeverReads_DroppedWithResumePointPublisherNeverBlocks()
    {
        var bus = new EventBus(TimeProvider.System);
        using var stuck = bus.Subscribe();

        for (var i = 0; i < EventBus.SubscriberCapacity + 10; i++)
        {
            bus.Publish(Added("m"));
        }

        var drained = 0;
        var e = await Assert.ThrowsAsync<SubscriberOverflowException>(async () =>
        {
            await foreach (var _ in stuck.Reader.ReadAllAsync())
            {
                drained++;
            }
        });
        Assert.Equal(EventBus.SubscriberCapacity, drained);
        Assert.Equal((ulong)EventBus.SubscriberCapacity, e.LastDelivered);
    }
}
