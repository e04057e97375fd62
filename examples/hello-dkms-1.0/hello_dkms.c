#include <linux/module.h>
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dkmsd example module");
MODULE_VERSION("1.0");
static int __init h_init(void) { return 0; }
static void __exit h_exit(void) { }
module_init(h_init); module_exit(h_exit);
