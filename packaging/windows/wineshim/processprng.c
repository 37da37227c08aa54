#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

/* bcryptprimitives.dll for Wine 8.0, TEST ONLY, never shipped.

   The Go runtime (1.22+) takes its randomness on Windows from ProcessPrng
   in bcryptprimitives.dll, which every Windows 10 and 11 has and Wine 8.0
   (Debian 12) lacks: without it the app stops at once ("fatal error:
   bcryptprimitives.dll not found"). make package-check-windows builds this
   stand-in with mingw and puts it in the test prefix's system32; it draws
   from RtlGenRandom (advapi32's SystemFunction036), the system's CSPRNG. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!RtlGenRandom(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
