/* The floor's target: a static program that only starts and exits. Every
 * tool in the benchmark ends by exec'ing this, so what it costs is common
 * to all of them. */
int main(void)
{
	return 0;
}
