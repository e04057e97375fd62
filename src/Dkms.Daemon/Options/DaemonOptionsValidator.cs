using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Options;

/// <summary>Rejects options the daemon cannot run with, at start rather than at the first call.</summary>
internal sealed class DaemonOptionsValidator : IValidateOptions<DaemonOptions>
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    public ValidateOptionsResult Validate(string? name, DaemonOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Socket) || !Path.IsPathRooted(options.Socket))
        {
            failures.Add($"Socket must be an absolute path (got '{options.Socket}').");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(options.Socket) > MaxSocketPathBytes)
        {
            failures.Add($"Socket path is longer than {MaxSocketPathBytes} bytes: {options.Socket}");
        }

        foreach (var (label, path) in new[]
                 {
                     ("DkmsTree", options.DkmsTree), ("SourceTree", options.SourceTree),
                     ("InstallTree", options.InstallTree), ("FrameworkConf", options.FrameworkConf),
                 })
        {
            if (path is not null && (path.Length == 0 || !Path.IsPathRooted(path)))
            {
                failures.Add($"{label} must be an absolute path (got '{path}').");
            }
        }

        if (options.Workers is < 1 or > DaemonOptions.MaxWorkers)
        {
            failures.Add($"Workers must be between 1 and {DaemonOptions.MaxWorkers} (got {options.Workers}).");
        }

        if (options.ReconcileInterval < TimeSpan.Zero)
        {
            failures.Add($"ReconcileInterval must not be negative (got {options.ReconcileInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
