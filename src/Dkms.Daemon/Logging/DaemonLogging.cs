using Serilog;
using Serilog.Events;
using Serilog.Sinks.SystemConsole.Themes;

namespace Dkms.Daemon.Logging;

/// <summary>Serilog to stdout: plain lines with a timestamp on a terminal, priority-prefixed lines under systemd.</summary>
internal static class DaemonLogging
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    // journald adds its own timestamp and reads the <N> prefix as the priority.
    private const string JournalTemplate = "{" + JournalPriorityEnricher.PropertyName + "}{SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>True when stdout goes to journald (JOURNAL_STREAM) or we run as a notify service.</summary>
    public static bool ForJournal(Func<string, string?> env) =>
        !string.IsNullOrEmpty(env("JOURNAL_STREAM")) || !string.IsNullOrEmpty(env("NOTIFY_SOCKET"));

    /// <summary>The one logger configuration, used for the bootstrap logger and the host's.</summary>
    public static LoggerConfiguration Configure(LoggerConfiguration config)
    {
        var journal = ForJournal(Environment.GetEnvironmentVariable);
        config.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .Enrich.FromLogContext();
        if (journal)
        {
            config.Enrich.With<JournalPriorityEnricher>();
        }

        return config.WriteTo.Console(outputTemplate: journal ? JournalTemplate : ConsoleTemplate, theme: ConsoleTheme.None,
            formatProvider: System.Globalization.CultureInfo.InvariantCulture);
    }
}
