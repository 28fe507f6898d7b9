using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Pulse.Api.Operations;

/// <summary>
/// The management listener (<c>Operations:ManagementUrl</c>): <c>/healthz</c>, <c>/readyz</c> and the
/// Prometheus scrape <c>/metrics</c>, on a socket and two threads of its own. Kestrel (like every
/// .NET HTTP server) runs accepts and requests on the shared thread pool, where a probe waits
/// behind every queued public request: under thousands of busy connections that was seconds.
/// Here blocking accepts and reads on dedicated threads never enter that queue, and the health
/// answers are computed inline, so a probe waits only for the CPU. The protocol is the minimum a
/// probe or scraper needs: HTTP/1.x GET or HEAD, one request per connection, headers ≤ 8 KiB read
/// within 2 s, <c>Connection: close</c>. Started before the database is migrated, so liveness
/// answers during a long migration while readiness says not yet.
/// </summary>
public sealed class ManagementServer(IServiceProvider services, IOptions<OperationsOptions> options, ILogger<ManagementServer> log)
    : IHostedService, IDisposable
{
    const int MaxHeaderBytes = 8 * 1024;
    const int Threads = 2;
    static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(2);
    static readonly JsonSerializerOptions Json = OperationsExtensions.Configure(new JsonSerializerOptions());

    Socket? _listener;
    RequestDelegate? _metrics;
    readonly List<Thread> _threads = [];
    volatile bool _stopping;

    /// <summary>The bound address once started (the real port when the URL asked for port 0); null without a management URL.</summary>
    public Uri? Address { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.ManagementUrl;
        if (string.IsNullOrWhiteSpace(url))
            return Task.CompletedTask;
        var endpoint = OperationsOptions.ParseManagementUrl(url)!;
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                listener.DualMode = true;
            listener.Bind(endpoint);
            listener.Listen(128);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            listener.Dispose();
            throw new ManagementListenException(url, ex);
        }
        _listener = listener;
        var bound = (IPEndPoint)listener.LocalEndPoint!;
        Address = new Uri($"http://{(bound.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bound.Address}]" : bound.Address.ToString())}:{bound.Port}");

        if (services.GetService<MeterProvider>() is { } meters)
        {
            var pipeline = new ApplicationBuilder(services);
            pipeline.UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: null, path: "/metrics", configureBranchedPipeline: null, optionsName: null);
            _metrics = pipeline.Build();
        }
        for (var i = 0; i < Threads; i++)
        {
            var thread = new Thread(AcceptLoop) { IsBackground = true, Name = "Pulse management" };
            _threads.Add(thread);
            thread.Start();
        }
        log.LogInformation("Management listener (/healthz, /readyz{Metrics}) on {Address}", _metrics is null ? "" : ", /metrics", Address);
        return Task.CompletedTask;
    }

    void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket connection;
            try
            {
                connection = _listener!.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                    return;
                continue;
            }
            using (connection)
            {
                try
                {
                    Serve(connection);
                }
                catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
                {
                    // The client went away or was too slow; nothing to answer.
                }
                catch (Exception ex)
                {
                    log.LogError(ex, "The management listener failed to answer a request");
                }
            }
        }
    }

    void Serve(Socket connection)
    {
        connection.ReceiveTimeout = connection.SendTimeout = (int)IoTimeout.TotalMilliseconds;
        connection.NoDelay = true;
        var buffer = new byte[MaxHeaderBytes];
        var length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (length == buffer.Length)
            {
                Write(connection, 431, "text/plain; charset=utf-8", "Request headers too large."u8.ToArray(), head: false);
                return;
            }
            var read = connection.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
            if (read == 0)
                return;
            length += read;
        }
        var head = Encoding.ASCII.GetString(buffer, 0, end);
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            Write(connection, 400, "text/plain; charset=utf-8", "Bad request."u8.ToArray(), head: false);
            return;
        }
        var isHead = parts[0] == "HEAD";
        if (parts[0] != "GET" && !isHead)
        {
            Write(connection, 405, "text/plain; charset=utf-8", "Only GET and HEAD."u8.ToArray(), head: false, extra: "Allow: GET, HEAD\r\n");
            return;
        }
        var path = parts[1].Split('?')[0];
        var accept = lines.Skip(1).Select(l => l.Split(':', 2)).Where(h => h.Length == 2 && h[0].Trim().Equals("Accept", StringComparison.OrdinalIgnoreCase))
            .Select(h => h[1].Trim()).FirstOrDefault();
        var (status, contentType, body) = path switch
        {
            "/healthz" => Health(HealthEndpoints.Live()),
            "/readyz" => Health(HealthEndpoints.Ready(services)),
            "/metrics" when _metrics is not null => Metrics(accept),
            _ => Problem(404, "Not found", "The management listener serves /healthz, /readyz and /metrics only."),
        };
        Write(connection, status, contentType, body, isHead);
    }

    static (int, string, byte[]) Health(HealthAnswer answer) => answer.NotReady is { } detail
        ? Problem(503, HealthEndpoints.NotReadyTitle, detail)
        : (200, "application/json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(answer.Ok, Json));

    static (int, string, byte[]) Problem(int status, string title, string detail) =>
        (status, "application/problem+json", JsonSerializer.SerializeToUtf8Bytes(new { title, status, detail }, Json));

    /// <summary>The OpenTelemetry Prometheus middleware, run in-process with a buffered response.</summary>
    (int, string, byte[]) Metrics(string? accept)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "GET";
        context.Request.Path = "/metrics";
        if (accept is not null)
            context.Request.Headers.Accept = accept;
        using var body = new MemoryStream();
        context.Response.Body = body;
        _metrics!(context).GetAwaiter().GetResult();
        return (context.Response.StatusCode, context.Response.ContentType ?? "text/plain; charset=utf-8", body.ToArray());
    }

    static void Write(Socket connection, int status, string contentType, byte[] body, bool head, string extra = "")
    {
        var reason = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        var header = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n" +
            $"Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n{extra}\r\n");
        connection.Send(Encoding.ASCII.GetBytes(header));
        if (!head && body.Length > 0)
            connection.Send(body);
        connection.Shutdown(SocketShutdown.Send);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _listener?.Dispose();
        foreach (var thread in _threads)
            thread.Join(IoTimeout * 2);
        return Task.CompletedTask;
    }

    public void Dispose() => _listener?.Dispose();
}
