using Serilog.Core;
using Serilog.Events;

namespace Dkms.Daemon.Logging;

/// <summary>Adds <c>SdPriority</c>: the sd-daemon(3) <c>&lt;N&gt;</c> prefix journald reads from stdout.</summary>
internal sealed class JournalPriorityEnricher : ILogEventEnricher
{
    public const string PropertyName = "SdPriority";

    private static readonly LogEventProperty[] Prefixes =
    [
        new(PropertyName, new ScalarValue("<7>")), // Verbose: debug
        new(PropertyName, new ScalarValue("<7>")), // Debug
        new(PropertyName, new ScalarValue("<6>")), // Information: info
        new(PropertyName, new ScalarValue("<4>")), // Warning
        new(PropertyName, new ScalarValue("<3>")), // Error: err
        new(PropertyName, new ScalarValue("<2>")), // Fatal: crit
    ];

    public static string Prefix(LogEventLevel level) => ((ScalarValue)Prefixes[(int)level].Value).Value!.ToString()!;

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
        logEvent.AddPropertyIfAbsent(Prefixes[(int)logEvent.Level]);
}
