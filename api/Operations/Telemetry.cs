using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Pulse.Api.Storage;

namespace Pulse.Api.Operations;

/// <summary>
/// Exports the "Pulse" meter (and ASP.NET Core's request and connection meters, and the runtime's
/// GC, memory and thread-pool meter) with OpenTelemetry:
/// OTLP when <c>OpenTelemetry:Endpoint</c> or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set,
/// and a Prometheus scrape endpoint on the management listener when <c>Operations:ManagementUrl</c>
/// is set. With neither, no meter provider is created and measurements cost nothing.
/// </summary>
/// <summary>The <c>OpenTelemetry</c> settings section.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "OpenTelemetry";

    /// <summary>Base address of an OTLP collector; empty means no OTLP export (unless OTEL_EXPORTER_OTLP_ENDPOINT is set).</summary>
    public string? Endpoint { get; set; }
}

public static class Telemetry
{
    public const string EndpointKey = $"{TelemetryOptions.Section}:{nameof(TelemetryOptions.Endpoint)}";

    /// <summary>Meters exported besides Pulse's own: request durations, open connections, GC heap, working set, thread pool.</summary>
    static readonly string[] FrameworkMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    public static IHostApplicationBuilder AddPulseTelemetry(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var endpoint = config[EndpointKey];
        var otlp = !string.IsNullOrWhiteSpace(endpoint) || !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = !string.IsNullOrWhiteSpace(config[$"{OperationsOptions.Section}:{nameof(OperationsOptions.ManagementUrl)}"]);
        if (!otlp && !prometheus)
            return builder;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("pulse"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PulseMetrics.MeterName).AddMeter(FrameworkMeters);
                if (prometheus)
                    metrics.AddPrometheusExporter();
                if (otlp)
                    metrics.AddOtlpExporter(o =>
                    {
                        // Like OTEL_EXPORTER_OTLP_ENDPOINT, a base address: HTTP/protobuf posts to its /v1/metrics.
                        if (!string.IsNullOrWhiteSpace(endpoint))
                            o.Endpoint = o.Protocol == OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf
                                ? new Uri(new Uri(endpoint.TrimEnd('/') + "/"), "v1/metrics")
                                : new Uri(endpoint);
                    });
            });
        return builder;
    }
}
