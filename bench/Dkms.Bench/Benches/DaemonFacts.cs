using Dkms.Bench.Infrastructure;

namespace Dkms.Bench.Benches;

/// <summary>dkmsd at rest: start to READY=1, RSS, and what it does while idle.</summary>
internal sealed record DaemonFacts(Summary Ready, long IdleRssKb, long IdleHwmKb, int Threads, double IdleSeconds,
    long VoluntarySwitches, long InvoluntarySwitches, double IdleCpuSeconds)
{
    public double WakeupsPerSecond => (VoluntarySwitches + InvoluntarySwitches) / IdleSeconds;
}
