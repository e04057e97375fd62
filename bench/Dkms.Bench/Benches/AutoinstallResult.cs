namespace Dkms.Bench.Benches;

/// <summary>One job of the dkmsd batch, in seconds from the moment the headers appeared.</summary>
internal sealed record JobSpan(string Label, string State, double Start, double End, IReadOnlyList<(string Name, double Start, double End)> Phases);

/// <summary>Both tools' autoinstall of the same modules for a kernel whose headers just appeared.</summary>
internal sealed record AutoinstallResult(
    IReadOnlyList<string> Modules,
    int Workers,
    double DaemonWall,
    double DaemonBuildCpu,
    double DaemonOwnCpu,
    double DkmsWall,
    double DkmsCpu,
    double LongestJob,
    string LongestJobLabel,
    double HeadersToFirstJob,
    double LastJobToSettled,
    long PeakRssKb,
    int DaemonInstalled,
    int DkmsInstalled,
    bool SameStatus,
    IReadOnlyList<JobSpan> Jobs,
    int Cores)
{
    /// <summary>No schedule on <see cref="Cores"/> cores can beat the longest build, nor the total CPU spread over every core.</summary>
    public double Bound => Math.Max(LongestJob, DaemonBuildCpu / Cores);

    public double RatioToDkms => DaemonWall / DkmsWall;

    public double RatioToBound => DaemonWall / Bound;
}
