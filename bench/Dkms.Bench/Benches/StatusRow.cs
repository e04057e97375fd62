using Dkms.Bench.Infrastructure;

namespace Dkms.Bench.Benches;

/// <summary>One status measurement: a tree, and each tool's summary on it.</summary>
internal sealed record StatusRow(string Tree, int Modules, int Kernels, int Lines, Summary Dkms, Summary Daemon, Summary Offline, bool SameOutput)
{
    public double Ratio => Dkms.Median / Daemon.Median;

    public double OfflineRatio => Dkms.Median / Offline.Median;
}
