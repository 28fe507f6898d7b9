using System.Text;
using Pulse.Api.Webhooks;

namespace Pulse.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    // The test vector published with the Standard Webhooks reference libraries.
    const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const long VectorTimestamp = 1614265330;
    const string VectorBody = """{"test": 2432232314}""";
    const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Test]
    public void Sign_StandardWebhooksTestVector_ReproducesThePublishedSignature() =>
        Assert.That(WebhookSignature.Sign(VectorSecret, VectorId, VectorTimestamp, Encoding.UTF8.GetBytes(VectorBody)),
            Is.EqualTo(VectorSignature));

    [Test]
    public void IndependentVerifier_StandardWebhooksTestVector_Accepts()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(StandardWebhooksVerifier.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, VectorBody, at), Is.True);
            Assert.That(StandardWebhooksVerifier.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, VectorBody + " ", at), Is.False);
            Assert.That(StandardWebhooksVerifier.Verify(VectorSecret, VectorId, "1614265330", VectorSignature, VectorBody, at.AddHours(1)), Is.False);
        }
    }

    [Test]
    public void NewSecret_IsWhsecPrefixedBase64Of32RandomBytes()
    {
        var a = WebhookSignature.NewSecret();
        var b = WebhookSignature.NewSecret();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a, Does.StartWith("whsec_"));
            Assert.That(Convert.FromBase64String(a["whsec_".Length..]), Has.Length.EqualTo(32));
            Assert.That(a, Is.Not.EqualTo(b));
        }
    }

    [Test]
    public void Header_TwoSecrets_SpaceSeparatedAndEachVerifiesAlone()
    {
        var oldSecret = WebhookSignature.NewSecret();
        var newSecret = WebhookSignature.NewSecret();
        var body = """{"type":"ping"}""";
        var header = WebhookSignature.Header([newSecret, oldSecret], "evt_1", VectorTimestamp, Encoding.UTF8.GetBytes(body));
        var at = DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(header.Split(' '), Has.Length.EqualTo(2).And.All.StartWith("v1,"));
            Assert.That(StandardWebhooksVerifier.Verify(oldSecret, "evt_1", "1614265330", header, body, at), Is.True);
            Assert.That(StandardWebhooksVerifier.Verify(newSecret, "evt_1", "1614265330", header, body, at), Is.True);
            Assert.That(StandardWebhooksVerifier.Verify(WebhookSignature.NewSecret(), "evt_1", "1614265330", header, body, at), Is.False);
        }
    }
}
