using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Pulse.Api.Operations;

/// <summary>
/// The management listener (<c>Operations:ManagementUrl</c>): a second, tiny Kestrel server in the
/// same process serving <c>/healthz</c>, <c>/readyz</c> and the Prometheus scrape at <c>/metrics</c>.
/// It has its own connections and none of the main server's limits, middleware or request queue,
/// so probes are answered while the public listener is saturated or refusing connections. It is
/// started before the database is migrated, so liveness holds during a long migration while
/// readiness says not yet.
/// </summary>
public sealed class ManagementServer(IServiceProvider services, IOptions<OperationsOptions> options, IHostEnvironment environment) : IHostedService, IAsyncDisposable
{
    WebApplication? _app;

    /// <summary>The bound address once started (the real port when the URL asked for port 0); null without a management URL.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.HasManagementUrl)
            return;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment.EnvironmentName,
            ApplicationName = environment.ApplicationName,
            ContentRootPath = environment.ContentRootPath,
        });
        builder.WebHost.UseKestrelCore().UseUrls(options.Value.ManagementUrl!);
        builder.Services.AddRoutingCore();
        // The main host owns the process's signals and lifetime; this server is started and stopped by it.
        builder.Services.AddSingleton<IHostLifetime, OwnedLifetime>();
        builder.Services.AddSingleton(services.GetRequiredService<ILoggerFactory>());
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));

        var app = builder.Build();
        app.UseRouting();
        app.MapGet("/healthz", HealthEndpoints.Live);
        app.MapGet("/readyz", () => HealthEndpoints.Ready(services));
        if (services.GetService<MeterProvider>() is { } meters)
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: null, path: "/metrics", configureBranchedPipeline: null, optionsName: null);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await app.DisposeAsync();
            throw new ManagementListenException(options.Value.ManagementUrl!, ex);
        }
        _app = app;
        Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        services.GetRequiredService<ILogger<ManagementServer>>().LogInformation(
            "Management listener (/healthz, /readyz{Metrics}) on {Address}", services.GetService<MeterProvider>() is null ? "" : ", /metrics", Address);
    }

    sealed class OwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
            await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
