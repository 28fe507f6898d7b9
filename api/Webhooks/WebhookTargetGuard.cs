using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Pulse.Api.Webhooks;

/// <summary>A webhook target was refused by the SSRF guard before any socket was opened.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// The SSRF guard. At registration it resolves the URL's host and refuses it unless every
/// address is public (<see cref="WebhookTargets.Refusal"/>). At delivery it is the
/// <see cref="SocketsHttpHandler.ConnectCallback"/>: it resolves the host again, refuses before
/// opening any socket, and connects only to the addresses it just checked, so a DNS answer that
/// changes between check and connect (rebinding) cannot reach an internal address.
/// </summary>
public sealed class WebhookTargetGuard
{
    readonly IOptions<WebhookOptions> _options;
    readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    public WebhookTargetGuard(IOptions<WebhookOptions> options) : this(options, Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>
    /// For tests: another resolver. A test may not send traffic off this machine, and asking DNS for
    /// a name that does not exist would.
    /// </summary>
    internal WebhookTargetGuard(IOptions<WebhookOptions> options, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        _options = options;
        _resolve = resolve;
    }

    public bool Enabled => !_options.Value.AllowInsecureTargets;

    /// <summary>Null when <paramref name="uri"/> may be registered; else why not.</summary>
    public async Task<string?> CheckAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (!Enabled)
            return null;
        try
        {
            await ResolveCheckedAsync(uri.IdnHost, cancellationToken);
            return null;
        }
        catch (WebhookTargetRefusedException refused)
        {
            return refused.Message;
        }
    }

    /// <summary>The connect step of the delivery client: check, then connect to the checked addresses only.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveCheckedAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    async Task<IPAddress[]> ResolveCheckedAsync(string host, CancellationToken cancellationToken)
    {
        var bare = host.TrimStart('[').TrimEnd(']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(bare, cancellationToken);
            }
            catch (SocketException ex)
            {
                throw new WebhookTargetRefusedException(DoesNotResolve(bare, ex.SocketErrorCode));
            }
            catch (ArgumentException)
            {
                throw new WebhookTargetRefusedException($"'{bare}' is not a valid host name.");
            }
            if (addresses.Length == 0)
                throw new WebhookTargetRefusedException(DoesNotResolve(bare, SocketError.NoData));
        }
        if (Enabled)
        {
            foreach (var address in addresses)
            {
                if (WebhookTargets.Refusal(address) is { } reason)
                    // An address typed into the URL may be explained; what a name resolves to may not.
                    throw new WebhookTargetRefusedException(literal is not null
                        ? $"The address {address} is {reason}; webhooks may only reach public addresses."
                        : Refusal(bare));
            }
        }
        return addresses;
    }

    /// <summary>
    /// A name DNS has no address for is said to be one: that is the common typo, and "resolves to a
    /// private address" would send its author looking in the wrong place. It tells whether a name
    /// exists in this server's DNS, never what it resolves to (docs/decisions.md, T8).
    /// </summary>
    static string DoesNotResolve(string host, SocketError error) => error == SocketError.TryAgain
        ? $"The host '{host}' could not be resolved right now (DNS did not answer); try again later."
        : $"The host '{host}' does not resolve: DNS has no address for it. Check the host name in the URL.";

    /// <summary>
    /// One message for every refusal of a name that resolves: naming the address it resolved to, or
    /// telling a name that resolves privately from one with a public address among others, would
    /// let any tenant map the operator's internal network through this endpoint.
    /// </summary>
    static string Refusal(string host) =>
        $"The host '{host}' cannot be used: webhooks may only reach hosts that resolve to public addresses.";
}
