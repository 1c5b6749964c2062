using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Crawler.Simulation.Web;

/// <summary>The simulated web's TLS certificate: self-signed, fixed subject, every site name as a SAN.</summary>
internal static class SelfSignedCertificate
{
    public const string Subject = "CN=Simulated .kp web, O=Crawler simulation, C=KP";

    public static X509Certificate2 Create(IEnumerable<string> hostNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(Subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var h in hostNames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            san.AddDnsName(h);
        }

        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var cert = req.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }
}
